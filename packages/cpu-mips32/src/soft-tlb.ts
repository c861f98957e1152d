// Layout of the per-CPU software TLB (DESIGN §5), shared by the interpreter's load/store methods and
// the code the block compiler generates: four direct-mapped arrays of SLOTS entries by virtual page
// number — kernel read, kernel write, user read, user write.

/** Slots of the software TLB per access kind. */
export const SLOTS = 1024;
export const SLOT_MASK = SLOTS - 1;
/** Offset of the write entries within a mode's half. */
export const KIND_WRITE = SLOTS;
/** Offset of the user-mode half. */
export const USER_BASE = 2 * SLOTS;
