namespace Molecule.Tests.Integration.Infrastructure;

/// <summary>A LocalHost with default test settings, shared by the tests of one class.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public TestPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await TestPlatform.StartAsync();

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}
