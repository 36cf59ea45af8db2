namespace Atom.Bot.Benchmarks;

/// <summary>A command that measures something and prints figures, as ratios against a baseline measured in the same run.</summary>
public interface IBenchmark
{
    /// <summary>The name given on the command line: <c>dotnet run -c Release --project benchmarks/Atom.Bot.Benchmarks -- NAME</c>.</summary>
    string Name { get; }

    string Description { get; }

    Task RunAsync(string[] args, CancellationToken cancellationToken);
}
