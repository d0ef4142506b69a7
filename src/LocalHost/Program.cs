using Molecule.LocalHost;

var app = LocalHostApp.Build(args);
await app.StartAsync();
var addresses = string.Join(", ", app.Addresses());
Console.WriteLine($"Molecule LocalHost listening on {addresses}");
if (app.Services.GetService<GeneratedAdminToken>() is { } admin)
    Console.WriteLine($"Admin token ({(admin.NewlyGenerated ? "generated" : "kept")} in {admin.Path}): {admin.Token}");
await app.WaitForShutdownAsync();
