// Shared scaffolding for the tests on the real emulated IA-32 mmu: paging on, with CR0.WP so that
// supervisor writes honour write protection (clean pages fault on their first write), page tables
// from `tableFrames`, and the space's PageMapper over them.
import {
  CR0_PE,
  CR0_PG,
  CR0_WP,
  type FrameSource,
  Ia32Mmu,
  Ia32PageTableEditor,
  type PhysicalMemory,
} from '@phantasm/mmu';
import { TablePageMapper } from '../src/index.js';

export function pagedMmu(memory: PhysicalMemory, tableFrames: FrameSource) {
  const mmu = new Ia32Mmu(memory);
  const cr3 = Ia32PageTableEditor.createPageDirectory(memory, tableFrames);
  const editor = new Ia32PageTableEditor(memory, cr3, tableFrames, (v) => mmu.invlpg(v));
  mmu.setCr3(cr3);
  mmu.setCr0(CR0_PE | CR0_PG | CR0_WP);
  return { mmu, editor, mapper: new TablePageMapper(editor, mmu) };
}
