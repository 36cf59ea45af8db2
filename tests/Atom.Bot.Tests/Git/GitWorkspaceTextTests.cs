using System.Text;
using Atom.Bot.Git;

namespace Atom.Bot.Tests.Git;

public sealed class GitWorkspaceTextTests
{
    [Fact]
    public void Trailers_follow_the_message_after_a_blank_line_one_per_line()
    {
        var message = GitBranches.WithTrailers("Add export\n\nDetails here.\n\n", [new("Atom-Task", "acme/widgets#5"), new("Atom-Assignment", "2")]);

        message.ShouldBe("Add export\n\nDetails here.\n\nAtom-Task: acme/widgets#5\nAtom-Assignment: 2\n");
    }

    [Fact]
    public void A_trailer_value_cannot_smuggle_in_another_line()
    {
        var message = GitBranches.WithTrailers("Fix", [new("Atom-Task", "5\nSigned-off-by: someone <x@y>")]);

        message.ShouldBe("Fix\n\nAtom-Task: 5 Signed-off-by: someone <x@y>\n");
        Should.Throw<ArgumentException>(() => GitBranches.WithTrailers("Fix", [new("Bad Key:", "x")]));
    }

    [Fact]
    public void An_empty_message_gets_a_default_subject()
    {
        GitBranches.WithTrailers("  ", []).ShouldBe("Atom changes\n");
    }

    [Fact]
    public void Rejected_ref_lines_classify_a_non_fast_forward_push()
    {
        var result = new GitCliResult(1, "To /r.git\n!\tHEAD:refs/heads/atom/x\t[rejected] (fetch first)\nDone\n",
            "error: failed to push some refs to '/r.git'\nhint: Updates were rejected because the remote contains work\n");

        var (failure, reason) = GitBranches.ExplainPushFailure(result);

        failure.ShouldBe(PushFailure.NotFastForward);
        reason.ShouldBe("HEAD:refs/heads/atom/x [rejected] (fetch first)");
    }

    [Fact]
    public void Remote_rejections_keep_the_remotes_own_words()
    {
        var result = new GitCliResult(1, "To https://github.com/acme/widgets.git\n!\tHEAD:refs/heads/atom/x\t[remote rejected] (protected branch hook declined)\nDone\n",
            "remote: error: GH006: Protected branch update failed for refs/heads/atom/x.        \nremote: \nerror: failed to push some refs\n");

        var (failure, reason) = GitBranches.ExplainPushFailure(result);

        failure.ShouldBe(PushFailure.RemoteRejected);
        reason.ShouldBe("HEAD:refs/heads/atom/x [remote rejected] (protected branch hook declined)\nremote: error: GH006: Protected branch update failed for refs/heads/atom/x.");
    }

    [Theory]
    [InlineData("fatal: Authentication failed for 'https://github.com/acme/widgets.git/'")]
    [InlineData("fatal: could not read Username for 'https://github.com': terminal prompts disabled")]
    [InlineData("remote: Permission to acme/widgets.git denied to atom[bot].\nfatal: unable to access 'https://github.com/acme/widgets.git/': The requested URL returned error: 403")]
    public void Refused_credentials_are_an_authentication_failure(string stderr)
    {
        var (failure, reason) = GitBranches.ExplainPushFailure(new GitCliResult(128, "", stderr));

        failure.ShouldBe(PushFailure.AuthenticationFailed);
        reason.ShouldStartWith("authentication failed");
        reason.ShouldContain(stderr.Split('\n')[^1]);
    }

    [Fact]
    public void An_unreachable_remote_is_a_plain_failure()
    {
        var (failure, reason) = GitBranches.ExplainPushFailure(new GitCliResult(128, "", "fatal: unable to access 'https://example.invalid/x.git/': Could not resolve host: example.invalid\n"));

        failure.ShouldBe(PushFailure.Failed);
        reason.ShouldContain("Could not resolve host");
    }

    [Fact]
    public void Scrubbing_removes_the_token_and_its_basic_auth_form()
    {
        var header = GitCli.AuthorizationHeader("s3cr3t-token");
        var text = $"token s3cr3t-token and {header}";

        var scrubbed = GitCli.Scrub(text, "s3cr3t-token");

        scrubbed.ShouldNotContain("s3cr3t-token");
        scrubbed.ShouldNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:s3cr3t-token")));
        header.ShouldBe("Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:s3cr3t-token")));
    }

    [Fact]
    public void A_patch_over_the_limit_is_cut_at_a_line_boundary_with_a_note()
    {
        var patch = string.Concat(Enumerable.Range(1, 100).Select(i => $"+line {i} é\n"));

        var cut = GitMirrors.Truncate(patch, 300);

        Encoding.UTF8.GetByteCount(cut).ShouldBeLessThanOrEqualTo(300);
        cut.ShouldStartWith("+line 1 é\n+line 2 é\n");
        cut.ShouldEndWith("é\n[diff truncated at 300 bytes]\n");
        GitMirrors.Truncate(patch, 10_000).ShouldBe(patch);
    }
}
