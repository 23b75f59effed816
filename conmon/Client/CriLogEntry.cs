namespace CriO.Conmon.Client;

/// <summary>
/// One line of a CRI log file: <c>&lt;RFC3339Nano&gt; &lt;stdout|stderr&gt; &lt;P|F&gt; &lt;text&gt;</c>.
/// A partial (P) line is a chunk of a longer line, or the last output without a newline; a full
/// (F) line ends where the container wrote a newline (the newline itself is not in the text).
/// </summary>
/// <param name="Time">When conmon read the output (100 ns precision; the file has nanoseconds).</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Partial">True for a P line.</param>
/// <param name="Text">The content.</param>
public sealed record CriLogEntry(DateTimeOffset Time, CriLogStream Stream, bool Partial, string Text);
