import { RoomAgentDispatch, RoomConfiguration, SipClient } from 'livekit-server-sdk';
import { HEADERS_TO_ATTRIBUTES } from './sip-headers.js';

export interface LiveKitCredentials {
  url: string;
  apiKey: string;
  apiSecret: string;
}

export interface LiveKitProvisioning {
  /** Numbers the trunk accepts calls for (E.164). */
  numbers: string[];
  agentName: string;
  /** Digest credentials Twilio's `<Sip>` uses. */
  sipUsername?: string;
  sipPassword?: string;
}

export interface ProvisionedLiveKit {
  trunkId: string;
  dispatchRuleId: string;
}

/**
 * One-time LiveKit set-up for the SIP path: an inbound trunk that maps our `x-` headers to
 * participant attributes, and a dispatch rule putting each call in its own room (`call-…`) with
 * our agent dispatched explicitly by name.
 */
export async function provisionLiveKit(
  credentials: LiveKitCredentials,
  setup: LiveKitProvisioning,
): Promise<ProvisionedLiveKit> {
  const sip = new SipClient(credentials.url, credentials.apiKey, credentials.apiSecret);
  const trunk = await sip.createSipInboundTrunk('switchboard-twilio', setup.numbers, {
    headersToAttributes: HEADERS_TO_ATTRIBUTES,
    ...(setup.sipUsername ? { authUsername: setup.sipUsername } : {}),
    ...(setup.sipPassword ? { authPassword: setup.sipPassword } : {}),
  });
  const rule = await sip.createSipDispatchRule(
    { type: 'individual', roomPrefix: 'call-' },
    {
      name: 'switchboard-calls',
      trunkIds: [trunk.sipTrunkId],
      roomConfig: new RoomConfiguration({ agents: [new RoomAgentDispatch({ agentName: setup.agentName })] }),
    },
  );
  return { trunkId: trunk.sipTrunkId, dispatchRuleId: rule.sipDispatchRuleId };
}
