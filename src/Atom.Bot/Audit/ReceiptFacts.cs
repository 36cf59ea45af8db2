namespace Atom.Bot.Audit;

/// <summary>
/// What ran. <see cref="InputSha"/> is the commit it ran on (a commit's parent, the commit tested, the certified head
/// that was merged); <see cref="OutputSha"/> is the commit it produced (the new commit, the merge commit), if any.
/// <see cref="OutputSha256"/> is the SHA-256 of the command's output (<see cref="Hashing.Sha256(string)"/>).
/// </summary>
public sealed record ReceiptFacts
{
    public required string Command { get; init; }

    public string? InputSha { get; init; }

    public string? OutputSha { get; init; }

    public int? ExitCode { get; init; }

    public required TimeSpan Duration { get; init; }

    public string? OutputSha256 { get; init; }

    /// <summary>For a commit: how it was signed or verified (absent from the payload of every other receipt).</summary>
    public CommitSignature? Signature { get; init; }

    /// <summary>The JSON shape that is stored, hashed and signed.</summary>
    internal object ToPayload() => Signature is null ? Plain() : new
    {
        command = Command,
        input_sha = InputSha,
        output_sha = OutputSha,
        exit_code = ExitCode,
        duration_ms = (long)Math.Round(Duration.TotalMilliseconds),
        output_sha256 = OutputSha256,
        signature = Signature.ToPayload(),
    };

    private object Plain() => new
    {
        command = Command,
        input_sha = InputSha,
        output_sha = OutputSha,
        exit_code = ExitCode,
        duration_ms = (long)Math.Round(Duration.TotalMilliseconds),
        output_sha256 = OutputSha256,
    };
}
