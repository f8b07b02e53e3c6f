// Microphone to 16 kHz mono WAV for the Cutover client (AudioWorklet, or ScriptProcessor where it cannot load).
import { encodeWav, resample } from './cutover-wav.js';

/**
 * A microphone recorder that makes 16 kHz mono WAV: start() opens the microphone, stop() resolves to
 * {blob, audioMs}. The AudioContext (and its worklet) is made on the first start(), which must follow a user
 * gesture, and reused after.
 */
export function createRecorder({ workletUrl = new URL('./cutover-recorder-worklet.js', import.meta.url).href } = {}) {
  const RATE = 16000;
  let context = null;
  let worklet = false;
  let take = null;

  async function contextReady() {
    if (context === null) {
      try {
        context = new AudioContext({ sampleRate: RATE });
      } catch (e) {
        context = new AudioContext();
      }
      try {
        await context.audioWorklet.addModule(workletUrl);
        worklet = true;
      } catch (e) {
        worklet = false; // e.g. the module is on another origin: the ScriptProcessor fallback records too
      }
    }
    if (context.state !== 'running') {
      await context.resume();
    }
    return context;
  }

  async function start() {
    if (take) {
      throw new Error('already recording');
    }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false,
      noiseSuppression: false, autoGainControl: false } });
    let ctx;
    let input;
    try {
      ctx = await contextReady();
      input = ctx.createMediaStreamSource(stream);
    } catch (e) {
      stream.getTracks().forEach((track) => track.stop());
      throw e;
    }
    const chunks = [];
    let samples = 0;
    const push = (chunk) => {
      chunks.push(chunk);
      samples += chunk.length;
    };
    let node;
    if (worklet) {
      node = new AudioWorkletNode(ctx, 'cutover-recorder', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1,
        channelCountMode: 'explicit' });
      node.port.onmessage = (event) => push(event.data);
    } else {
      node = ctx.createScriptProcessor(4096, 1, 1);
      node.onaudioprocess = (event) => push(new Float32Array(event.inputBuffer.getChannelData(0)));
    }
    input.connect(node);
    node.connect(ctx.destination); // the node outputs silence; connected so that it is pulled
    take = { stream, input, node, chunks, rate: ctx.sampleRate, samples: () => samples };
  }

  function release() {
    const current = take;
    take = null;
    current.input.disconnect();
    current.node.disconnect();
    if (current.node.port) {
      current.node.port.onmessage = null;
    }
    current.stream.getTracks().forEach((track) => track.stop());
    return current;
  }

  async function stop() {
    if (!take) {
      throw new Error('not recording');
    }
    const current = release();
    const all = new Float32Array(current.samples());
    let offset = 0;
    for (const chunk of current.chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    const mono = resample(all, current.rate, RATE);
    return { blob: encodeWav(mono, RATE), audioMs: Math.round(mono.length * 1000 / RATE) };
  }

  return {
    start,
    stop,
    cancel: () => {
      if (take) {
        release();
      }
    },
    recording: () => take !== null,
    recordedMs: () => (take ? Math.round(take.samples() * 1000 / take.rate) : 0),
  };
}
