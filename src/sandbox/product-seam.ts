/**
 * The one place the sandbox imports the product. Both ends of an emulated phone line speak μ-law;
 * when the sandbox becomes its own workspace package, this file becomes its dependency on it.
 */
export { mulawDecode, mulawEncode } from '../telephony/mulaw.js';
