using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace Molecule.LocalHost;

/// <summary>
/// Serves every HTTP trigger of functions.metadata on Kestrel with the same route and methods, building
/// the function class per invocation from the app's services, as the Functions worker does.
/// </summary>
public static class FunctionEndpoints
{
    public const string FunctionNameMetadata = "molecule.function";

    public static void MapHttpFunctions(this WebApplication app, IReadOnlyList<FunctionDescriptor> functions, string routePrefix)
    {
        foreach (var function in functions.Where(f => f.TriggerType == "httpTrigger"))
        {
            var method = function.ResolveMethod();
            var route = Combine(routePrefix, function.Route ?? function.Name);
            RequestDelegate handler = context => InvokeAsync(method, context);
            var builder = function.Methods.Count == 0 ? app.Map(route, handler) : app.MapMethods(route, function.Methods, handler);
            builder.WithDisplayName(function.Name).WithMetadata(new FunctionNameAttribute(function.Name));
        }
    }

    private static string Combine(string prefix, string route) =>
        prefix.Length == 0 ? route : route.Length == 0 ? prefix : $"{prefix.TrimEnd('/')}/{route}";

    private static async Task InvokeAsync(MethodInfo method, HttpContext context)
    {
        var instance = method.IsStatic ? null : ActivatorUtilities.GetServiceOrCreateInstance(context.RequestServices, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p => Bind(p, context)).ToArray();
        object? returned;
        try
        {
            returned = method.Invoke(instance, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        var result = await Unwrap(returned);
        switch (result)
        {
            case IActionResult action:
                await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult minimal:
                await minimal.ExecuteAsync(context);
                break;
            case null:
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                throw new NotSupportedException($"LocalHost cannot write a {result.GetType().Name} returned by {method.Name}");
        }
    }

    private static object? Bind(ParameterInfo parameter, HttpContext context)
    {
        var type = parameter.ParameterType;
        if (type == typeof(HttpRequest)) return context.Request;
        if (type == typeof(HttpContext)) return context;
        if (type == typeof(CancellationToken)) return context.RequestAborted;
        if (type == typeof(string) && context.Request.RouteValues.TryGetValue(parameter.Name!, out var value)) return value?.ToString();
        if (type == typeof(string)) return null;
        throw new NotSupportedException($"LocalHost cannot bind parameter {parameter.Name} of type {type.Name}");
    }

    private static async Task<object?> Unwrap(object? returned)
    {
        if (returned is not Task task) return returned;
        await task;
        var type = task.GetType();
        return type.IsGenericType ? type.GetProperty("Result")!.GetValue(task) : null;
    }
}

/// <summary>Endpoint metadata naming the function an endpoint serves (for the parity test and diagnostics).</summary>
public sealed record FunctionNameAttribute(string Name);
