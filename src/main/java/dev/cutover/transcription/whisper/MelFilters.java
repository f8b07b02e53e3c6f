package dev.cutover.transcription.whisper;

/**
 * The mel filter bank whisper.cpp reads from a model file: Slaney-style mel scale and Slaney area normalisation,
 * exactly what {@code librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)} returns (computed in double, stored as
 * float, row-major [mel][frequency bin]).
 */
final class MelFilters {
    static final int SAMPLE_RATE = 16_000;
    static final int N_FFT = 400;
    static final int N_BINS = N_FFT / 2 + 1;

    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    private MelFilters() {
    }

    /** Filters as {@code [nMels][N_BINS]}. */
    static float[][] slaney(int nMels) {
        double[] fftFreqs = new double[N_BINS];
        for (int bin = 0; bin < N_BINS; bin++) {
            fftFreqs[bin] = bin * (SAMPLE_RATE / 2.0) / (N_BINS - 1);
        }
        double maxMel = hzToMel(SAMPLE_RATE / 2.0);
        double[] melFreqs = new double[nMels + 2];
        for (int i = 0; i < melFreqs.length; i++) {
            melFreqs[i] = melToHz(maxMel * i / (melFreqs.length - 1));
        }
        float[][] weights = new float[nMels][N_BINS];
        for (int m = 0; m < nMels; m++) {
            double lowerWidth = melFreqs[m + 1] - melFreqs[m];
            double upperWidth = melFreqs[m + 2] - melFreqs[m + 1];
            double areaNorm = 2.0 / (melFreqs[m + 2] - melFreqs[m]);
            for (int bin = 0; bin < N_BINS; bin++) {
                double rising = (fftFreqs[bin] - melFreqs[m]) / lowerWidth;
                double falling = (melFreqs[m + 2] - fftFreqs[bin]) / upperWidth;
                weights[m][bin] = (float) (Math.max(0.0, Math.min(rising, falling)) * areaNorm);
            }
        }
        return weights;
    }

    static double hzToMel(double hz) {
        return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
    }

    static double melToHz(double mel) {
        return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
    }
}
