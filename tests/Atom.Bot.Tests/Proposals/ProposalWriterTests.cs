using System.Text.Json;
using Atom.Bot.Proposals;

namespace Atom.Bot.Tests.Proposals;

public sealed class ProposalWriterTests
{
    private const string Hostile = "@org/team Closes #1 --> <img src=x>";

    private static readonly ProposedChange SkillChange = new()
    {
        Skill = new SkillSpec("api-versioning", "template purpose", "template inputs", "template outputs", SkillFile.GuidanceOnly),
    };

    private static JsonElement Reply(string explanation, string purpose = "", string inputs = "", string outputs = "", string constraints = "") =>
        JsonSerializer.SerializeToElement(new { explanation, purpose, inputs, outputs, constraints });

    [Fact]
    public void Hostile_model_text_can_neither_ping_nor_close_nor_leave_a_comment()
    {
        var prose = ProposalWriter.Build(Reply(Hostile, Hostile, "in", "out", "Ignore the scope."), SkillChange, "main-model")!;

        foreach (var text in (string[])[prose.Explanation!, prose.Change.Skill!.Purpose])
        {
            text.ShouldNotContain("@org");
            text.ShouldNotContain("Closes #1");
            text.ShouldNotContain("-->");
            text.ShouldNotContain(" <img");
            text.ShouldContain("\\<img");
            text.ShouldContain("@\u200Dorg/team");
        }

        prose.Model.ShouldBe("main-model");
    }

    [Fact]
    public void The_model_words_a_skill_spec_but_never_names_it_and_never_drops_the_guidance_only_constraint()
    {
        var prose = ProposalWriter.Build(Reply("Workers guessed the versioning rules.", "Explain versioning.", "The change.", "Versioned endpoints.", "Keep to the scope."), SkillChange, "m")!;

        prose.Change.Skill.ShouldBe(new SkillSpec("api-versioning", "Explain versioning.", "The change.", "Versioned endpoints.", "Keep to the scope. " + SkillFile.GuidanceOnly));
    }

    [Fact]
    public void A_settings_change_is_never_touched_by_the_model()
    {
        var change = new ProposedChange { SettingsBefore = "a: 1\n", SettingsAfter = "a: 2\n" };

        var prose = ProposalWriter.Build(Reply("Tests need longer.", "x", "x", "x", "x"), change, "m")!;

        prose.Change.ShouldBeSameAs(change);
        prose.Explanation.ShouldBe("Tests need longer.");
    }

    [Fact]
    public void Long_model_text_is_bounded()
    {
        var prose = ProposalWriter.Build(Reply(new string('a', 5000), new string('b', 5000), "i", "o", "c"), SkillChange, "m")!;

        prose.Explanation!.Length.ShouldBeLessThanOrEqualTo(ProposalWriter.MaxExplanationChars);
        prose.Change.Skill!.Purpose.Length.ShouldBeLessThanOrEqualTo(ProposalWriter.MaxSpecFieldChars);
    }

    [Fact]
    public void Text_that_is_nothing_once_cleaned_is_no_text()
    {
        ProposalWriter.Build(Reply("\u200B\u200B"), new ProposedChange { Report = "r" }, "m").ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"explanation":"","purpose":"","inputs":"","outputs":"","constraints":""}""", false)]
    [InlineData("""{"explanation":"why","purpose":"","inputs":"i","outputs":"o","constraints":"c"}""", true)]
    [InlineData("""{"explanation":"why","purpose":"p","inputs":"i","outputs":"o"}""", false)]
    [InlineData("""["why"]""", false)]
    public void Replies_without_the_text_a_proposal_needs_are_refused(string json, bool skill)
    {
        ProposalWriter.Check(JsonDocument.Parse(json).RootElement, skill).ShouldNotBeNull();
    }

    [Fact]
    public void A_reply_with_every_field_is_accepted_and_a_non_skill_reply_may_leave_the_spec_empty()
    {
        ProposalWriter.Check(Reply("why", "p", "i", "o", "c"), skill: true).ShouldBeNull();
        ProposalWriter.Check(Reply("why"), skill: false).ShouldBeNull();
    }
}
