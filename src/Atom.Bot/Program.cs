using Atom.Bot.Approval;
using Atom.Bot.Audit;
using Atom.Bot.Certification;
using Atom.Bot.Configuration;
using Atom.Bot.Dashboard;
using Atom.Bot.Doctor;
using Atom.Bot.Git;
using Atom.Bot.GitHub;
using Atom.Bot.Ingress;
using Atom.Bot.Jobs;
using Atom.Bot.Llm;
using Atom.Bot.Mcp;
using Atom.Bot.Platform;
using Atom.Bot.Proposals;
using Atom.Bot.Retrieval;
using Atom.Bot.Setup;
using Atom.Bot.Storage;
using Atom.Bot.Supervisor;
using Atom.Bot.Tasks;
using Atom.Bot.Telemetry;
using Atom.Bot.Trial;
using Atom.Bot.Workers;

namespace Atom.Bot;

/// <summary>Composition root: the <c>atom</c> command line and the service's options, services and endpoints.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length == 0 || args[0].StartsWith('-') ? "serve" : args[0];
        var rest = args.Length == 0 || args[0].StartsWith('-') ? args : args[1..];
        if (command is "help" or "--help" or "-h")
        {
            Console.Out.WriteLine(Usage);
            return 0;
        }

        if (command == "setup")
        {
            return await SetupCommand.RunAsync(rest, Environment.CurrentDirectory, Console.Out, Console.Error, null, CancellationToken.None);
        }

        if (command == "try")
        {
            // atom try builds its own configuration: it asks only for a model, never for GitHub or a webhook secret.
            using var interrupted = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                // The first Ctrl+C stops the run cleanly (atom try resume carries on); a second one ends the process.
                e.Cancel = !interrupted.IsCancellationRequested;
                interrupted.Cancel();
            };
            return await TryCommand.RunAsync(rest, AtomConfiguration.ProcessEnvironment(), Environment.CurrentDirectory, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Console.Out, Console.Error, interrupted.Token);
        }

        // Only the service (and the commands that check or print its setup) need every service setting.
        var configuration = AtomConfiguration.Load(forService: command is "serve" or "config" or "doctor");
        if (command == "config")
        {
            return ConfigCommand.Run(configuration, Console.Out, Console.Error);
        }

        if (command == "doctor")
        {
            return await DoctorCommand.RunAsync(rest, configuration, Console.Out, Console.Error, null, CancellationToken.None);
        }

        if (!configuration.IsValid)
        {
            foreach (var error in configuration.Errors)
            {
                await Console.Error.WriteLineAsync($"atom: configuration error: {error}");
            }

            return 2;
        }

        var options = configuration.Options!;
        switch (command)
        {
            case "serve":
                await using (var app = BuildService(options, rest))
                {
                    await app.RunAsync();
                }

                return 0;
            case "audit":
                return await AuditCommand.RunAsync(rest, options, Console.Out, Console.Error, CancellationToken.None);
            case "proposals":
                return await ProposalsCommand.RunAsync(rest, options, Console.Out, Console.Error, CancellationToken.None);
            case "usage":
                return await UsageCommand.RunAsync(rest, options, Console.Out, Console.Error, CancellationToken.None);
            case "db":
                return await DatabaseCommand.RunAsync(rest, options, Console.Out, Console.Error, CancellationToken.None);
            case "git":
                return await GitCommand.RunAsync(rest, options, Console.Out, Console.Error, CancellationToken.None);
            default:
                await Console.Error.WriteLineAsync($"atom: unknown command '{command}'\n{Usage}");
                return 2;
        }
    }

    public const string Usage = """
        usage: atom [command]
          serve                  run the service (default)
          setup --webhook-url URL [--github-url URL] [--org ORG]  create Atom's GitHub App from a manifest (writes its key and atom.env)
          try "issue text" | approve | revise "feedback" | reject "reason" | resume  the whole loop on a local repository, without GitHub (atom try --help)
          config                 print the effective configuration and where each value comes from
          doctor [--probe-max N] check the configuration, this machine, GitHub and the LLM endpoints, each with its fix
          audit verify [--from-export FILE] | show --task N | export --task N [--out FILE] | attest --task N | public-key | rotate-key
          proposals list | show N  enhancement proposals and their states
          usage [--repo R] [--month yyyy-MM]  LLM tokens by repository and model
          db copy --to <conn>    move the SQLite store into an empty PostgreSQL database, audit chain intact
          git signing-key        print the SSH key Atom signs commits with, to register on the bot account
        """;

    /// <summary>Builds the web service; tests call this with their own options and URLs.</summary>
    public static WebApplication BuildService(AtomOptions options, string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(Program).Assembly.GetName().Name });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_URLS")))
        {
            builder.WebHost.UseUrls("http://localhost:8080");
        }

        builder.Services
            .AddSingleton(options)
            .AddSingleton(Redactor.For(options))
            .AddStorage(options)
            .AddPlatform()
            .AddAudit(options)
            .AddGitHub(options)
            .AddGit(options)
            .AddRetrieval(options)
            .AddLlm(options)
            .AddTasks()
            .AddSupervisor()
            .AddWorkers(options)
            .AddMcp(options)
            .AddApproval()
            .AddProposals()
            .AddCertification()
            .AddIngress()
            .AddJobs(options)
            .AddTelemetry(builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapHealth();
        app.MapIngress(options);
        app.MapAudit();
        app.MapJobsDashboard(options.DashboardToken);
        app.MapMetrics(options.DashboardToken);
        app.MapStatusPage(options);
        return app;
    }
}
