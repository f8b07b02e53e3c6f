package dev.cutover.transcription.audio;

/**
 * Band-limited sample-rate conversion by Kaiser-windowed sinc interpolation (J. O. Smith's method): every output
 * sample is a weighted sum of the input around its exact position, with the low-pass cut-off placed just below the
 * lower of the two Nyquist frequencies, so downsampling cannot alias. Zero phase: no delay, output length is
 * {@code floor(n * outRate / inRate)}. Stateless and thread-safe.
 */
final class SincResampler {
    /** Zero crossings of the sinc on each side; with the Kaiser beta below gives about 70 dB stop-band rejection. */
    private static final int ZERO_CROSSINGS = 24;
    private static final double KAISER_BETA = 7.0;
    /** Cut-off as a fraction of the lower Nyquist frequency; the transition band ends close to Nyquist. */
    private static final double ROLLOFF = 0.91;
    private static final int TABLE_STEPS_PER_ZERO = 512;
    private static final float[] KERNEL = kernelTable();

    private SincResampler() {
    }

    static float[] resample(float[] input, int inRate, int outRate) {
        if (inRate == outRate) {
            return input.clone();
        }
        int outLength = (int) ((long) input.length * outRate / inRate);
        float[] output = new float[outLength];
        double step = (double) inRate / outRate;
        // Cut-off in cycles per input sample, times two: the sinc then has its zeros every 1/cutoff input samples.
        double cutoff = ROLLOFF * Math.min(1.0, (double) outRate / inRate);
        double halfWidth = ZERO_CROSSINGS / cutoff;
        double tableStep = cutoff * TABLE_STEPS_PER_ZERO;
        int last = input.length - 1;
        int maxIndex = KERNEL.length - 2;
        for (int m = 0; m < outLength; m++) {
            double center = m * step;
            int from = Math.max(0, (int) Math.ceil(center - halfWidth));
            int to = Math.min(last, (int) Math.floor(center + halfWidth));
            double position = (from - center) * tableStep;
            double sum = 0;
            for (int j = from; j <= to; j++, position += tableStep) {
                double a = Math.abs(position);
                int index = Math.min((int) a, maxIndex);
                double fraction = a - index;
                sum += input[j] * (KERNEL[index] + fraction * (KERNEL[index + 1] - KERNEL[index]));
            }
            output[m] = (float) (sum * cutoff);
        }
        return output;
    }

    /** sinc(x) * kaiser(x) for x = 0 .. ZERO_CROSSINGS in TABLE_STEPS_PER_ZERO steps, plus zeros to interpolate into. */
    private static float[] kernelTable() {
        int size = ZERO_CROSSINGS * TABLE_STEPS_PER_ZERO;
        float[] table = new float[size + 2];
        double norm = besselI0(KAISER_BETA);
        for (int i = 0; i <= size; i++) {
            double x = (double) i / TABLE_STEPS_PER_ZERO;
            double sinc = i == 0 ? 1.0 : Math.sin(Math.PI * x) / (Math.PI * x);
            double r = x / ZERO_CROSSINGS;
            table[i] = (float) (sinc * besselI0(KAISER_BETA * Math.sqrt(Math.max(0.0, 1 - r * r))) / norm);
        }
        return table;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series. */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double halfX = x / 2;
        for (int k = 1; k < 50; k++) {
            term *= (halfX / k) * (halfX / k);
            sum += term;
            if (term < 1e-12 * sum) {
                break;
            }
        }
        return sum;
    }
}
