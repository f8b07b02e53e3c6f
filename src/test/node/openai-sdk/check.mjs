// Usage: node check.mjs BASE_URL API_KEY AUDIO_FILE
// Calls the official openai SDK against Cutover and prints one JSON object describing every answer.
import fs from "node:fs";
import OpenAI from "openai";

const [baseURL, apiKey, audioFile] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const file = () => fs.createReadStream(audioFile);
const result = {};

result.json = await client.audio.transcriptions.create({ file: file(), model: "whisper-1" });
for (const format of ["text", "srt", "vtt"]) {
  result[format] = await client.audio.transcriptions.create({ file: file(), model: "whisper-1", response_format: format });
}
result.verbose_json = await client.audio.transcriptions.create({
  file: file(), model: "whisper-1", response_format: "verbose_json", language: "en", temperature: 0,
  timestamp_granularities: ["segment"],
});
try {
  await client.audio.transcriptions.create({
    file: file(), model: "whisper-1", response_format: "verbose_json", timestamp_granularities: ["word"],
  });
  result.word = "accepted";
} catch (e) {
  result.word = { className: e.constructor.name, status: e.status, type: e.type, param: e.param, code: e.code };
}
try {
  await new OpenAI({ baseURL, apiKey: apiKey + "-wrong", maxRetries: 0 }).audio.transcriptions.create({
    file: file(), model: "whisper-1",
  });
  result.wrongKey = "accepted";
} catch (e) {
  result.wrongKey = { className: e.constructor.name, status: e.status, type: e.type, code: e.code };
}
console.log(JSON.stringify(result));
