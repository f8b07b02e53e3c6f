// One utterance through the browser's Web Speech API, for the Cutover client.

/**
 * Resolves to {text, outcome, latencyMs, audioMs, errorCode?}, never rejects. Settles on the first final result
 * (ok/empty), on error (no-speech → no_speech, aborted → aborted, else error with the browser's code), on end
 * without a result (empty), or after timeoutMs (error, timeout): headless Chromium fires audio-capture or network
 * errors and sometimes never "end", so nothing waits for onend alone.
 */
export function recognizeOnce({ lang, timeoutMs }) {
  const Recognition = typeof window !== 'undefined' && (window.SpeechRecognition || window.webkitSpeechRecognition);
  const started = now();
  return new Promise((resolve) => {
    let recognition = null;
    let timer = null;
    let audioStart = null;
    let audioEnd = null;
    let done = false;
    const finish = (outcome, text, errorCode) => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      if (recognition) {
        recognition.onresult = recognition.onerror = recognition.onend = recognition.onnomatch = null;
        try {
          recognition.abort();
        } catch (e) {
          // already stopped
        }
      }
      const end = now();
      const result = { text: text || '', outcome, latencyMs: end - (audioEnd !== null ? audioEnd : started),
        audioMs: audioStart !== null ? (audioEnd !== null ? audioEnd : end) - audioStart : 0 };
      if (errorCode) {
        result.errorCode = errorCode;
      }
      resolve(result);
    };
    if (!Recognition) {
      finish('error', '', 'not_supported');
      return;
    }
    try {
      recognition = new Recognition();
      if (lang) {
        recognition.lang = lang;
      }
      recognition.continuous = false;
      recognition.interimResults = false;
      recognition.maxAlternatives = 1;
      recognition.onaudiostart = () => {
        audioStart = now();
      };
      recognition.onaudioend = () => {
        audioEnd = now();
      };
      recognition.onresult = (event) => {
        const texts = [];
        for (let i = event.resultIndex; i < event.results.length; i++) {
          if (event.results[i].isFinal) {
            texts.push(event.results[i][0].transcript);
          }
        }
        if (texts.length > 0) {
          const text = texts.join(' ').trim();
          finish(text ? 'ok' : 'empty', text);
        }
      };
      recognition.onnomatch = () => finish('no_speech', '', 'no-match');
      recognition.onerror = (event) => {
        const code = event && event.error ? String(event.error) : 'error';
        finish(code === 'no-speech' ? 'no_speech' : code === 'aborted' ? 'aborted' : 'error', '', code);
      };
      recognition.onend = () => finish('empty', '');
      timer = setTimeout(() => finish('error', '', 'timeout'), timeoutMs);
      recognition.start();
    } catch (e) {
      finish('error', '', 'start_failed');
    }
  });
}

function now() {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
