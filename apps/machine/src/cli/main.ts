console.log('phantasm: no machine yet');
