using System.Text.Json;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Workers;

namespace Atom.Bot.Tests.Supervisor;

public sealed class PlanValidatorTests
{
    private static readonly Scope Repository = new(["**"], [], 20, 800);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string PlanWith(string missingSkills) =>
        """{"rationale":"r","assignments":[{"title":"t","instructions":"i","scope":{"allow":["src/**"],"deny":[]}}]""" + missingSkills + "}";

    [Fact]
    public void A_plan_without_missing_skills_is_valid_and_names_none()
    {
        var plan = Json(PlanWith(""));

        PlanValidator.Check(plan, 4).ShouldBeNull();
        PlanValidator.Build(plan, Repository).MissingSkills.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(""","missing_skills":"api-versioning" """)]
    [InlineData(""","missing_skills":[1]""")]
    [InlineData(""","missing_skills":null""")]
    public void Missing_skills_that_are_not_an_array_of_strings_are_refused_with_a_reason(string missingSkills)
    {
        PlanValidator.Check(Json(PlanWith(missingSkills)), 4).ShouldBe("\"missing_skills\" must be an array of skill names (strings), empty when no skill is missing");
    }

    [Fact]
    public void Missing_skills_are_kept_as_plain_skill_names_each_once_and_at_most_five()
    {
        var plan = Json(PlanWith(""","missing_skills":["API Versioning","api-versioning",".atom/skills/logging.md","../..","a","b","c","d","e"]"""));

        PlanValidator.Check(plan, 4).ShouldBeNull();
        PlanValidator.Build(plan, Repository).MissingSkills.ShouldBe(["api-versioning", "logging", "a", "b", "c"]);
    }

    [Fact]
    public void The_schema_requires_missing_skills_so_strict_structured_output_always_sends_it()
    {
        var schema = Json(PlanValidator.Schema);

        schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldContain("missing_skills");
        schema.GetProperty("properties").GetProperty("missing_skills").GetProperty("type").GetString().ShouldBe("array");
    }
}
