export { changeSummary } from './change-summary.js';
export { type ListAuditInput, listAudit } from './list-audit.js';
export { type AuditEntry, recordAudit } from './record-audit.js';
