// Floating-point rows (F unit and the FP forms of M-unit loads, stores, setf/getf).
import type { Row } from '../decode/table.js';

export const FP_ROWS: Row[] = [];
