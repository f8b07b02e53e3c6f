package dev.cutover.transcription.audio;

/** Audio containers recognised by their magic bytes, with the ffmpeg demuxer that reads each compressed one. */
enum ContainerFormat {
    WAV(null),
    OGG("ogg"),
    MATROSKA("matroska"),
    MP3("mp3"),
    ADTS_AAC("aac"),
    MP4("mov"),
    FLAC("flac");

    private final String ffmpegDemuxer;

    ContainerFormat(String ffmpegDemuxer) {
        this.ffmpegDemuxer = ffmpegDemuxer;
    }

    String ffmpegDemuxer() {
        return ffmpegDemuxer;
    }

    /** MP4 keeps its index ({@code moov}) anywhere, often at the end, so its reader must be able to seek. */
    boolean needsSeekableInput() {
        return this == MP4;
    }
}
