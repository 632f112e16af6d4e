package dev.parley.chat.protocol;

import java.util.ArrayList;
import java.util.List;

/** Records what a {@link FrameDecoder} reports, in order: frames as their canonical line, errors as "CODE text". */
final class RecordingSink implements FrameDecoder.Sink {
    final List<String> events = new ArrayList<>();
    final List<Frame> frames = new ArrayList<>();
    final List<ProtocolException> errors = new ArrayList<>();
    /** Empty lines reported (not in {@link #events}: they carry no frame). */
    int emptyLines;

    @Override
    public void frame(Frame frame) {
        frames.add(frame);
        events.add(frame.toString());
    }

    @Override
    public void error(ProtocolException error) {
        errors.add(error);
        events.add(error.code() + " " + error.getMessage());
    }

    @Override
    public void emptyLine() {
        emptyLines++;
    }
}
