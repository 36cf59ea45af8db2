using Atom.Bot.Configuration;

namespace Atom.Bot.Tests.Configuration;

public sealed class RepoSettingsParserTests
{
    [Fact]
    public void Missing_file_gives_the_documented_defaults()
    {
        var result = RepoSettingsParser.Parse(null);

        result.Error.ShouldBeNull();
        var s = result.Settings!;
        s.TriggerLabel.ShouldBe("atom");
        s.TestCommand.ShouldBeNull();
        s.TestTimeoutSeconds.ShouldBe(600);
        s.Approvers.ShouldBeEmpty();
        s.RequiredApprovals.ShouldBe(1);
        s.MergeOnApproval.ShouldBeTrue();
        s.MergeMethod.ShouldBe("squash");
        s.MaxRevisions.ShouldBe(2);
        s.RequesterCanApprove.ShouldBeTrue();
        s.DeleteBranchOnMerge.ShouldBeTrue();
        s.Scope.Allow.ShouldBe(["**"]);
        s.Scope.Deny.ShouldBe([".github/**", ".atom/**"]);
        s.Scope.MaxFiles.ShouldBe(20);
        s.Scope.MaxChangedLines.ShouldBe(800);
        s.Auditor.MinScore.ShouldBe(0.7);
        s.Proposals.AutoApprove.ShouldBeEmpty();
        s.TestNetwork.ShouldBeFalse();
        s.Codeowners.ShouldBeFalse();
        s.Budget.MaxTokensPerTask.ShouldBe(0);
        s.Budget.MaxTokensPerMonth.ShouldBe(0);
        s.McpTools.ShouldBeEmpty();
    }

    [Fact]
    public void Mcp_tools_are_server_slash_tool_names()
    {
        var result = RepoSettingsParser.Parse("mcp_tools: [docs/lookup, code_search/find-symbol]\n");

        result.Error.ShouldBeNull();
        result.Settings!.McpTools.ShouldBe(["docs/lookup", "code_search/find-symbol"]);
        result.Settings.McpTools.Select(t => McpToolReference.Parse(t, out _)!.OfferedName).ShouldBe(["mcp_docs_lookup", "mcp_code_search_find-symbol"]);
    }

    [Theory]
    [InlineData("mcp_tools: [lookup]", "mcp_tools: 'lookup' is not server/tool")]
    [InlineData("mcp_tools: [docs/]", "mcp_tools: 'docs/' is not server/tool")]
    [InlineData("mcp_tools: [Docs/lookup]", "mcp_tools: 'Docs/lookup' is not server/tool")]
    [InlineData("mcp_tools: [docs/a/b]", "mcp_tools: 'docs/a/b' is not server/tool")]
    [InlineData("mcp_tools: [docs/look.up]", "mcp_tools: 'docs/look.up' is not server/tool")]
    [InlineData("mcp_tools: [docs/a_tool_name_long_enough_to_go_over_the_limit_of_sixty_four]", "would be offered as mcp_docs_a_tool_name_long_enough_to_go_over_the_limit_of_sixty_four, longer than the 64 characters")]
    [InlineData("mcp_tools: [a_b/c, a/b_c]", "mcp_tools: 'a_b/c' and 'a/b_c' would both be offered as mcp_a_b_c")]
    [InlineData("mcp_tools: docs/lookup", "line 1")]
    public void A_malformed_mcp_tool_is_an_error_naming_it(string yaml, string expected)
    {
        var result = RepoSettingsParser.Parse(yaml);

        result.Settings.ShouldBeNull();
        result.Error.ShouldNotBeNull().ShouldContain(expected);
    }

    [Fact]
    public void Budgets_are_whole_token_counts_and_zero_means_no_limit()
    {
        var budget = RepoSettingsParser.Parse("budget:\n  max_tokens_per_task: 200000\n  max_tokens_per_month: 5000000000\n").Settings!.Budget;

        budget.MaxTokensPerTask.ShouldBe(200_000);
        budget.MaxTokensPerMonth.ShouldBe(5_000_000_000, "a month may exceed what 32 bits hold");
        RepoSettingsParser.Parse("budget:\n  max_tokens_per_task: 0\n").Settings!.Budget.ShouldBe(new BudgetSettings());
    }

    [Fact]
    public void Codeowners_is_one_word_and_off_by_default()
    {
        RepoSettingsParser.Parse("codeowners: true").Settings!.Codeowners.ShouldBeTrue();
        RepoSettingsParser.Parse("codeowners: false").Settings!.Codeowners.ShouldBeFalse();
        RepoSettingsParser.Parse("trigger_label: atom").Settings!.Codeowners.ShouldBeFalse();
        RepoSettingsParser.Parse("code_owners: true").Error.ShouldNotBeNull();
    }

    [Fact]
    public void The_documented_example_parses()
    {
        var yaml = """
            trigger_label: atom
            test_command: dotnet test
            test_timeout_seconds: 600
            approvers: [alice, bob]
            required_approvals: 1
            merge_on_approval: true
            merge_method: squash
            max_revisions: 2
            requester_can_approve: true
            delete_branch_on_merge: true
            scope:
              allow: ["**"]
              deny: [".github/**", ".atom/**"]
              max_files: 20
              max_changed_lines: 800
            auditor:
              min_score: 0.7
            proposals:
              auto_approve: []
              thresholds:
                scope: 3
                tooling: 3
                settings: 2
                skill: 3
                missing_skill: 3
            test_network: false
            """;

        var result = RepoSettingsParser.Parse(yaml);

        result.Error.ShouldBeNull();
        result.Settings!.Approvers.ShouldBe(["alice", "bob"]);
        result.Settings.TestCommand.ShouldBe("dotnet test");
        result.Settings.TestNetwork.ShouldBeFalse();
        RepoSettingsParser.Parse("test_network: true").Settings!.TestNetwork.ShouldBeTrue();
    }

    [Theory]
    [InlineData("merge_method: yolo", "merge_method")]
    [InlineData("required_approvals: 0", "required_approvals")]
    [InlineData("auditor:\n  min_score: 1.5", "min_score")]
    [InlineData("scope:\n  max_files: -1", "max_files")]
    [InlineData("proposals:\n  auto_approve: [everything]", "everything")]
    [InlineData("proposals:\n  thresholds:\n    scope: 0", "proposals.thresholds")]
    [InlineData("proposals:\n  thresholds:\n    skills: 2", "skills")]
    [InlineData("unknown_key: 1", "unknown_key")]
    [InlineData("test_timeout_seconds: soon", "line 1")]
    [InlineData("approvers: [alice\n", "line")]
    [InlineData("approvers: ['id:alice']", "not an account id")]
    [InlineData("budget:\n  max_tokens_per_task: -1", "budget.max_tokens_per_task and budget.max_tokens_per_month must not be negative")]
    [InlineData("budget:\n  max_tokens_per_month: -5", "must not be negative")]
    [InlineData("budget:\n  max_tokens_per_task: lots", "budget.max_tokens_per_task")]
    [InlineData("budget:\n  max_tokens_per_month: 1.5", "budget.max_tokens_per_month")]
    [InlineData("budget:\n  max_tokens: 5", "max_tokens")]
    [InlineData("test_filter_arg: \"-k\"", "test_filter_arg must contain {filter}")]
    public void Invalid_settings_name_the_problem(string yaml, string expected)
    {
        var result = RepoSettingsParser.Parse(yaml);

        result.Settings.ShouldBeNull();
        result.Error!.ShouldContain(expected);
    }

    [Fact]
    public void Test_filter_arg_is_read_with_its_placeholder() =>
        RepoSettingsParser.Parse("test_command: pytest\ntest_filter_arg: \"-k {filter}\"\n").Settings!.TestFilterArg.ShouldBe("-k {filter}");

    [Fact]
    public void Proposal_thresholds_set_in_the_file_replace_their_defaults_and_the_rest_keep_theirs()
    {
        var settings = RepoSettingsParser.Parse("proposals:\n  thresholds:\n    scope: 1\n    missing_skill: 5\n").Settings!;

        settings.Proposals.Thresholds.ShouldBe(new ProposalThresholds { Scope = 1, MissingSkill = 5 });
    }

    [Fact]
    public void Trigger_label_is_known_even_when_the_file_is_invalid()
    {
        RepoSettingsParser.Parse("trigger_label: robot\nmerge_method: yolo").TriggerLabel.ShouldBe("robot");
        RepoSettingsParser.Parse("trigger_label: robot\nnonsense: [").TriggerLabel.ShouldBe("robot");
    }
}
