// The sandbox speaks the same G.711 μ-law as the runtime's Twilio transport: one codec for both.
export { mulawDecode, mulawEncode } from '../product-seam.js';
