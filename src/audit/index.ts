export { changeSummary } from './change-summary.js';
export { type ListAuditInput, listAudit } from './list-audit.js';
export {
  type AuditEntry,
  type AuditedUpdate,
  deleteAudited,
  recordAudit,
  recordCreation,
  updateAudited,
} from './record-audit.js';
