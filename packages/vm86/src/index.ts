// Public API of @phantasm/vm86.
export type { PortPolicy, TrapCounters } from './emulate.js';
export {
  Vm86AccessError,
  type Vm86AccessReason,
  Vm86BudgetError,
  Vm86ConfigError,
  Vm86Error,
  Vm86FaultError,
  Vm86IoError,
  Vm86ServiceError,
} from './errors.js';
export { FixedLowArena, type LowArena, type LowBuffer } from './low-memory.js';
export {
  DEFAULT_LOW_REGION,
  type MemoryWindow,
  type Vm86CallStats,
  Vm86Monitor,
  type Vm86MonitorOptions,
  type Vm86Registers,
} from './monitor.js';
export type { VbeInfo } from './services.js';
