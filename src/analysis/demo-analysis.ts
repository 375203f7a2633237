import type { AnalysisSettings } from '../control/agents/agent-config.js';

/** The demo receptionist's post-call analysis: who called, for when, why, and whether it booked. */
export const DEMO_ANALYSIS: AnalysisSettings = {
  enabled: true,
  dataSchema: {
    type: 'object',
    properties: {
      patient_name: { type: 'string', description: "the caller's name" },
      requested_date: {
        type: 'string',
        description: 'the day the caller asked for, as said or as YYYY-MM-DD',
      },
      reason: { type: 'string', description: 'why the caller wants an appointment' },
    },
    required: ['patient_name', 'requested_date', 'reason'],
    additionalProperties: false,
  },
  successRubric:
    'Success when an appointment was booked (the booking tool confirmed it) or the caller got the answer they called for.',
};
