// weighted_round_robin: static 3:1 weights, then ORCA-driven weights that follow the backends' load.
//   dotnet run --project examples/Weighted
await Weighted.WeightedExample.RunAsync(Console.Out);
