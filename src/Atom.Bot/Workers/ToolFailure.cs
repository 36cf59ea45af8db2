namespace Atom.Bot.Workers;

/// <summary>Why a worker tool call did not do what was asked; the model sees the message, the loop sees the kind.</summary>
public enum ToolFailure
{
    /// <summary>No tool of that name.</summary>
    UnknownTool,

    /// <summary>The arguments are not a JSON object, or a required one is missing or not a string.</summary>
    InvalidArguments,

    /// <summary>The scope guard refused the path or the change (<see cref="ToolOutcome.Refusal"/> says why).</summary>
    Refused,

    /// <summary>The file or folder does not exist.</summary>
    NotFound,

    /// <summary>A file was expected and the path names a folder, or the reverse.</summary>
    WrongKind,

    /// <summary>The file system refused the operation.</summary>
    IoError,

    /// <summary>An MCP tool reported an error, its server failed, or it did not answer in time.</summary>
    RemoteError,
}
