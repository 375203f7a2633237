import type { RemoteParticipant, Room } from '@livekit/rtc-node';
import type { Deps } from '../../deps/index.js';
import { type CallOutcome, type CallWorker, findCallById, takeCallConfig } from '../../runtime/index.js';
import { LiveKitRoomIO } from './livekit-room-io.js';
import { PARTICIPANT_ATTRIBUTES } from './sip-headers.js';

/** Phone audio through LiveKit: wideband enough for the STT, cheap to resample from SIP's 8 kHz. */
const LIVEKIT_SAMPLE_RATE = 16_000;

/**
 * Runs the call a SIP participant carries, on the same worker and engine as Media Streams: the
 * participant's attributes (mapped by the trunk from our `x-` headers) name the call, whose row
 * and configuration the webhook left behind.
 */
export async function runLiveKitCall(
  deps: Deps,
  worker: CallWorker,
  room: Room,
  participant: RemoteParticipant,
  deleteRoom: () => Promise<void>,
): Promise<CallOutcome | undefined> {
  const callId = participant.attributes[PARTICIPANT_ATTRIBUTES.callId];
  const call = callId ? await findCallById(deps, callId) : undefined;
  const config = call ? await takeCallConfig(deps.store, call.id) : undefined;
  const expectedTenant = participant.attributes[PARTICIPANT_ATTRIBUTES.tenantId];
  if (!call || !config || call.tenantId !== expectedTenant || call.status !== 'ringing') {
    deps.log.warn({ callId, status: call?.status }, 'livekit participant names no admitted call');
    await deleteRoom();
    return undefined;
  }
  const io = new LiveKitRoomIO(room, participant, LIVEKIT_SAMPLE_RATE, deleteRoom);
  await io.publish();
  return worker.run(call, config, io);
}
