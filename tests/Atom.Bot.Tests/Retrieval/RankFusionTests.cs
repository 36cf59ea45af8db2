using Atom.Bot.Retrieval;

namespace Atom.Bot.Tests.Retrieval;

public sealed class RankFusionTests
{
    [Fact]
    public void A_file_both_rankings_hold_beats_files_only_one_ranks_first()
    {
        RankFusion.Fuse(["a", "shared", "c"], ["d", "shared", "e"]).ShouldBe(["shared", "a", "d", "c", "e"]);
    }

    [Fact]
    public void One_ranking_alone_keeps_its_order()
    {
        RankFusion.Fuse(["z", "y", "x"]).ShouldBe(["z", "y", "x"]);
    }
}
