namespace Atom.Bot.Supervisor;

/// <summary>What the supervisor does with an evaluated round.</summary>
public enum EvaluationDecision
{
    /// <summary>Scope held, the diff is not empty, tests pass or are not configured, the auditor passed it: post a certified package.</summary>
    Pass,

    /// <summary>Fixable: tests failed or the auditor asked for a revision. Another round if <c>max_revisions</c> allows, else Fail.</summary>
    Revise,

    /// <summary>Not fixable by another round (scope violation, auditor "fail", conflicting assignments): a failed package.</summary>
    Fail,

    /// <summary>Nothing to certify: no commit, or an empty diff. A comment on the issue says why.</summary>
    NothingProduced,
}
