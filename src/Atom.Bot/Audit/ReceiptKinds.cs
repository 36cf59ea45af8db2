namespace Atom.Bot.Audit;

/// <summary>What an execution receipt attests: a worker commit, a test run or a merge.</summary>
public static class ReceiptKinds
{
    public const string Commit = "commit";
    public const string TestRun = "test_run";
    public const string Merge = "merge";

    public static bool IsKnown(string kind) => kind is Commit or TestRun or Merge;
}
