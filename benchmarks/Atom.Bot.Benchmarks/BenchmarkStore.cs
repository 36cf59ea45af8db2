namespace Atom.Bot.Benchmarks;

/// <summary>Where a benchmarked service keeps its state: SQLite in its data directory, or one PostgreSQL database shared by <paramref name="Instances"/> services.</summary>
public sealed record BenchmarkStore(string Name, bool PostgreSql, int Instances)
{
    public static BenchmarkStore Sqlite { get; } = new("SQLite", PostgreSql: false, Instances: 1);
}
