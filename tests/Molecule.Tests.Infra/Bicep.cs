using System.Diagnostics;
using System.Reflection;

namespace Molecule.Tests.Infra;

/// <summary>The Bicep CLI from the restored NuGet package, and where the repository is.</summary>
public static class Bicep
{
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    public static string InfraDirectory => Path.Combine(RepositoryRoot, "infra", "bicep");

    public static string MainTemplate => Path.Combine(InfraDirectory, "main.bicep");

    public static string Executable
    {
        get
        {
            var path = Metadata("BicepPath");
            if (!File.Exists(path)) throw new FileNotFoundException("the Bicep CLI package was not restored", path);
            // NuGet extracts the binary as it was packed; make sure it can run whatever the extraction kept.
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
                if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | execute);
            }
            return path;
        }
    }

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;
    }

    public static Result Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = InfraDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // No telemetry, no update checks: the CLI must work with only the package on disk.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("bicep " + string.Join(' ', arguments) + " did not finish in 3 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Metadata(string key) =>
        typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException(key + " is not set by the project file");
}
