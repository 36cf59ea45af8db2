using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.IntegrationTests.Support;
using Atom.Bot.Tasks;
using Atom.Bot.Tests.Workers;
using Atom.Bot.Workers;

namespace Atom.Bot.IntegrationTests.Workers;

/// <summary>
/// The hostile test suite: the scripted model writes a test script that tries every way out of the test
/// command (Atom's environment, keys, database, mirror, loopback listeners, Atom's own port, writes outside the
/// worktree, many processes, a setsid child) and runs it with <c>run_tests</c>. In the sandbox every attempt fails;
/// with <c>ATOM_SANDBOX=none</c> the same attempts succeed, so the test can fail.
/// </summary>
public sealed class SandboxEscapeTests
{
    private const int ProcessLimit = 64;

    [Theory]
    [InlineData("bwrap")]
    [InlineData("none")]
    public async Task Hostile_test_script_escapes_nothing_in_the_sandbox_and_everything_without_it(string sandbox)
    {
        await using var scenario = await AtomScenario.StartAsync(
            settings: "test_command: sh tests/diagnostics.sh\n",
            environment: new Dictionary<string, string?> { ["ATOM_SANDBOX"] = sandbox },
            configure: builder => builder.Services.AddSingleton(provider =>
                TestSandbox.For(provider.GetRequiredService<SandboxOptions>(), provider.GetRequiredService<ILogger<TestSandbox>>(), limits: SandboxLimits.Default with { Processes = ProcessLimit })));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var marker = $"atom-hostile-setsid-{Guid.NewGuid():N}";
        var outside = Path.Join(scenario.Host.DataDir, $"escape-{Guid.NewGuid():N}.txt");
        var script = HostileScript(scenario.Host.DataDir, ((IPEndPoint)listener.LocalEndpoint).Port, scenario.Host.Client.BaseAddress!.Port, outside, marker);
        var (_, assignments) = await scenario.WorkingTaskAsync(("Diagnostics", ["tests/**"]));
        scenario.Llm
            .ReplyToolCall("write_file", new { path = "tests/diagnostics.sh", content = script })
            .ReplyToolCall("run_tests", new { })
            .ReplyToolCall("finish", new { summary = "Added a diagnostics test." });

        try
        {
            await scenario.RunAsync(assignments[0]);

            // What the model was sent back: one line per attempt.
            var result = LlmScriptRequest.TextOf(scenario.Llm.Requests[2].Messages.Last(m => m.GetProperty("role").GetString() == "tool"));
            // With the state in PostgreSQL there is no atom.db file to read (the connection string is in the environment).
            string[] attempts = PostgresFixture.FlowsOnPostgreSql
                ? ["environ", "keys", "mirror", "listener", "atom-port", "fork"]
                : ["environ", "keys", "database", "mirror", "listener", "atom-port", "fork"];
            foreach (var attempt in attempts)
            {
                result.ShouldContain($"{attempt}: ", customMessage: result);
            }

            result.ShouldContain("setsid: started", customMessage: result);
            result.ShouldContain("write-outside: attempted", customMessage: result);

            result.ShouldNotContain(AtomTestHost.WebhookSecret);
            result.ShouldNotContain(AtomTestHost.GitHubToken);
            var survivors = HostProcesses.WithMarker(marker);
            if (sandbox == "bwrap")
            {
                foreach (var attempt in attempts)
                {
                    result.ShouldContain($"{attempt}: blocked", customMessage: result);
                }

                result.ShouldNotContain("ESCAPED");
                File.Exists(outside).ShouldBeFalse();
                survivors.ShouldBeEmpty("the PID namespace ended with the run");
            }
            else
            {
                foreach (var attempt in attempts)
                {
                    result.ShouldContain($"{attempt}: ESCAPED", customMessage: result);
                }

                File.Exists(outside).ShouldBeTrue();
                survivors.ShouldNotBeEmpty("without the sandbox a setsid child outlives the run");
            }
        }
        finally
        {
            foreach (var pid in HostProcesses.WithMarker(marker))
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
        }
    }

    [Fact]
    public async Task Unusable_bubblewrap_means_tests_not_run_and_a_package_that_is_not_certified()
    {
        await using var scenario = await AtomScenario.StartAsync(
            settings: "test_command: touch ran.txt\n",
            configure: builder => builder.Services.AddSingleton(provider =>
                TestSandbox.For(provider.GetRequiredService<SandboxOptions>(), provider.GetRequiredService<ILogger<TestSandbox>>(), bwrapPath: "/nonexistent/bwrap")));
        scenario.ReplyPlan(("Code", ["src/**"]));
        scenario.Llm.ReplyToolCall("write_file", new { path = "src/greeting.txt", content = "hello\n" })
            .ReplyToolCall("run_tests", new { })
            .ReplyToolCall("finish", new { summary = "Added the greeting." });
        scenario.ReplyVerdict("pass", 0.95);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        var task = await scenario.WaitForStateAsync(TaskState.Failed);

        // Nothing ran, so nothing is receipted; the evaluation's record says why.
        var receipts = await scenario.Host.Services.GetRequiredService<Atom.Bot.Audit.ExecutionReceipts>().ForTaskAsync(task.Id, CancellationToken.None);
        receipts.ShouldNotContain(r => r.Kind == Atom.Bot.Audit.ReceiptKinds.TestRun);
        (await scenario.AuditAsync(task.Id)).ShouldContain(e => e.Kind == Atom.Bot.Audit.AuditKinds.Evaluation && e.Payload != null && e.Payload.Contains("\"sandbox\":\"unavailable\"", StringComparison.Ordinal));

        // The model was told plainly, and not asked to fix anything.
        scenario.Llm.Requests.ShouldContain(r => r.Body.Contains("The tests were NOT run", StringComparison.Ordinal));
        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Draft.ShouldBeTrue();
        pull.Body.ShouldContain("Tests not run: no sandbox");
        var package = PackageBody.Read(pull.Body).ShouldNotBeNull();
        package.Passed.ShouldBeFalse();
        package.Tests.NotRun.ShouldNotBeNull().ShouldStartWith(TestRunner.NoSandboxText);
        package.Tests.NotRun.ShouldContain("/nonexistent/bwrap");
        package.FailureReasons.ShouldContain(r => r.StartsWith(TestRunner.NoSandboxText, StringComparison.Ordinal));

        var status = System.Text.Json.JsonDocument.Parse(await scenario.Host.Client.GetStringAsync(new Uri("/status", UriKind.Relative))).RootElement.GetProperty("sandbox");
        status.GetProperty("mode").GetString().ShouldBe("bwrap");
        status.GetProperty("available").GetBoolean().ShouldBeFalse();
        scenario.Host.Logs.Lines.ShouldContain(l => l.Contains("[5014]", StringComparison.Ordinal), "the start-up log warns");
    }

    [Fact]
    public async Task Sandbox_off_is_said_in_the_package_on_status_and_in_the_start_up_log()
    {
        await using var scenario = await AtomScenario.StartAsync(
            settings: "test_command: test -f src/greeting.txt\n",
            environment: new Dictionary<string, string?> { ["ATOM_SANDBOX"] = "none" });
        scenario.ReplyPlan(("Code", ["src/**"])).ReplyWrite("src/greeting.txt", "hello\n").ReplyVerdict("pass", 0.95);

        await scenario.Host.SendAsync("issues", scenario.Labeled());
        await scenario.WaitForStateAsync(TaskState.AwaitingApproval);

        var pull = scenario.GitHub.PullRequests.ShouldHaveSingleItem();
        pull.Body.ShouldContain("Tests ran without a sandbox");
        PackageBody.Read(pull.Body).ShouldNotBeNull().Tests.Unsandboxed.ShouldBeTrue();
        var status = System.Text.Json.JsonDocument.Parse(await scenario.Host.Client.GetStringAsync(new Uri("/status", UriKind.Relative))).RootElement.GetProperty("sandbox");
        status.GetProperty("mode").GetString().ShouldBe("none");
        status.GetProperty("unsafe").GetBoolean().ShouldBeTrue();
        scenario.Host.Logs.Lines.ShouldContain(l => l.Contains("[5015]", StringComparison.Ordinal));
    }

    /// <summary>One line per attempt: "name: ESCAPED (...)" when it worked, "name: blocked" when it did not.</summary>
    private static string HostileScript(string dataDir, int listenerPort, int atomPort, string outside, string marker) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
        #!/bin/sh
        DATA='{{dataDir}}'
        report() { if [ "$2" = yes ]; then echo "$1: ESCAPED${3:+ ($3)}"; else echo "$1: blocked"; fi; }

        # Atom's environment, through /proc: the webhook secret lives there in a real deployment.
        seen=no
        for p in /proc/[0-9]*; do
          if grep -q 'Atom.Bot' "$p/cmdline" 2>/dev/null && [ -n "$(head -c 64 "$p/environ" 2>/dev/null | tr -d '\000')" ]; then seen=yes; break; fi
        done
        report environ $seen "read the environment of ${p#/proc/}"

        n=$(cat "$DATA"/keys/* 2>/dev/null | wc -c); [ "$n" -gt 0 ] && k=yes || k=no; report keys $k "$n bytes of keys"
        n=$(cat "$DATA/atom.db" 2>/dev/null | wc -c); [ "$n" -gt 0 ] && k=yes || k=no; report database $k "$n bytes of atom.db"
        gitdir=$(sed 's/^gitdir: //' .git 2>/dev/null)
        [ -r "$gitdir/../../config" ] && [ -r "$gitdir/../../HEAD" ] && k=yes || k=no; report mirror $k "$gitdir/../.."

        bash -c 'exec 3<>/dev/tcp/127.0.0.1/{{listenerPort}}' 2>/dev/null && k=yes || k=no; report listener $k
        bash -c 'exec 3<>/dev/tcp/127.0.0.1/{{atomPort}}' 2>/dev/null && k=yes || k=no; report atom-port $k

        # Whether this reached the host only the host can tell (inside, the path may be on the sandbox's own /tmp).
        echo x > '{{outside}}' 2>/dev/null; echo "write-outside: attempted"

        setsid sh -c 'sleep 1000; : {{marker}}' </dev/null >/dev/null 2>&1 &
        sleep 0.2
        echo "setsid: started"

        (i=0; while [ $i -lt {{ProcessLimit * 2}} ]; do sleep 5 & i=$((i+1)); done; echo "fork: ESCAPED ($i processes)") 2>/dev/null || report fork no
        exit 0
        """);
}
