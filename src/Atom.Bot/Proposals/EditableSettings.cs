namespace Atom.Bot.Proposals;

/// <summary>
/// The proposed <c>.github/atom.yml</c> as a proposal issue's body says it now: the text of its one editable block, or
/// why the body has no such block that can be read.
/// </summary>
public sealed record EditableSettings(string? Text, string? Problem);
