export { type Ia64Mmio, type Ia64Translator, SystemMemory } from './memory.js';
export {
  CR,
  GE_ILLEGAL_OPERATION,
  GE_PRIVILEGED_OPERATION,
  GE_PRIVILEGED_REGISTER,
  GE_RESERVED_REGISTER,
  ISR,
  PSR,
  SPURIOUS_VECTOR,
  VECTOR,
} from './registers.js';
export { type Ia64Interruption, Ia64System, type Ia64SystemOptions, vectorName } from './system.js';
