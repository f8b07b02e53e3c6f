// Evaluates transcription-provider through the official OpenFeature web SDK and OFREP web provider, used as their
// READMEs show, against a running Cutover. Prints one JSON line when ready and one per configuration change, until
// stdin closes. Usage: node evaluate.mjs <baseUrl> <targetingKey> [userId]
import { EventSource } from 'eventsource';

// Node 20 has no EventSource; browsers do. The provider only opens the OFREP event stream when the global exists,
// so install the well-known `eventsource` polyfill as that global before the provider is loaded.
globalThis.EventSource ??= EventSource;

const { OpenFeature, ProviderEvents } = await import('@openfeature/web-sdk');
const { OFREPWebProvider } = await import('@openfeature/ofrep-web-provider');

const [baseUrl, targetingKey, userId] = process.argv.slice(2);
const FLAG = 'transcription-provider';

function report(event) {
  const details = OpenFeature.getClient().getStringDetails(FLAG, 'webspeech');
  process.stdout.write(JSON.stringify({
    event,
    value: details.value,
    reason: details.reason,
    variant: details.variant ?? null,
    errorCode: details.errorCode ?? null,
    metadata: details.flagMetadata,
  }) + '\n');
}

await OpenFeature.setContext(userId ? { targetingKey, userId } : { targetingKey });
await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl }));
OpenFeature.getClient().addHandler(ProviderEvents.ConfigurationChanged, () => report('changed'));
report('ready');

process.stdin.resume();
process.stdin.on('end', async () => {
  await OpenFeature.close();
  process.exit(0);
});
