namespace Atom.Bot.Retrieval;

/// <summary>
/// Reciprocal rank fusion (Cormack et al., 2009): a file scores the sum of 1 / (k + rank) over the rankings that hold
/// it. It needs no comparable scores (BM25's and cosine similarities are not), only ranks; k = 60 as in the paper.
/// </summary>
public static class RankFusion
{
    public const int K = 60;

    public static IReadOnlyList<string> Fuse(params IReadOnlyList<string>[] rankings)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var ranking in rankings)
        {
            for (var i = 0; i < ranking.Count; i++)
            {
                scores[ranking[i]] = scores.GetValueOrDefault(ranking[i]) + 1.0 / (K + i + 1);
                first[ranking[i]] = Math.Min(first.GetValueOrDefault(ranking[i], int.MaxValue), i);
            }
        }

        // Ties (a file first in one ranking, another first in the other) go to the better single rank, then the path.
        return [.. scores.Keys.OrderByDescending(p => scores[p]).ThenBy(p => first[p]).ThenBy(p => p, StringComparer.Ordinal)];
    }
}
