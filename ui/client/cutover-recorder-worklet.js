// AudioWorklet processor for the Cutover recorder: posts each block of the first input channel to the main thread.
class CutoverRecorderProcessor extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel && channel.length > 0) {
      this.port.postMessage(channel.slice(0));
    }
    return true;
  }
}

registerProcessor('cutover-recorder', CutoverRecorderProcessor);
