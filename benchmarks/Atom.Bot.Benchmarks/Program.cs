using Atom.Bot.Benchmarks;

var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var selected = args.Length == 0 ? null : benchmarks.FirstOrDefault(b => b.Name == args[0]);
if (selected is null && !(args.Length > 0 && args[0] == "all"))
{
    Console.WriteLine("usage: dotnet run -c Release --project benchmarks/Atom.Bot.Benchmarks -- <name|all> [options]");
    foreach (var b in benchmarks)
    {
        Console.WriteLine($"  {b.Name,-12} {b.Description}");
    }

    return args.Length == 0 ? 0 : 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
foreach (var benchmark in selected is null ? benchmarks : [selected])
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    await benchmark.RunAsync(args.Length > 1 ? args[1..] : [], cancel.Token);
}

return 0;
