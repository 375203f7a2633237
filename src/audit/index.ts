export { type ListAuditInput, listAudit } from './list-audit.js';
export { type AuditEntry, recordAudit } from './record-audit.js';
