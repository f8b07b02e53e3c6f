package dev.cutover.transcription;

/**
 * Turns uploaded bytes in any supported container into a validated 16 kHz mono clip.
 * Throws {@link dev.cutover.http.ApiError} (400 empty/undecodable/non-finite, 413 too large or too long,
 * 415 unknown format); never lets bad input reach native code.
 */
public interface AudioDecoder {
    AudioClip decode(byte[] upload);
}
