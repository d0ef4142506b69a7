// The Functions app on the Flex Consumption plan (Linux), running as the user-assigned identity, deployed from a blob
// container it reads with that identity. Every connection is identity-based; the one secret is a Key Vault reference.
param planName string
param appName string
param location string
param tags object
param identityId string
param identityClientId string
param deploymentContainerUrl string
param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param keyVaultUri string
param adminTokenReference string
param signalREndpoint string
param signalRHubName string
param appInsightsConnectionString string
param publicBaseUrl string
param runtimeVersion string
param instanceMemoryMB int
param maximumInstanceCount int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity, not a system-assigned one (there is none).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: runtimeVersion
      }
    }
  }
}

// No publishing with user names and passwords: azd deploys with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

// App settings as a child resource so PublicBaseUrl can use the site's own host name. Flex Consumption takes the
// runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and WEBSITE_RUN_FROM_PACKAGE
// are not set (the plan rejects them).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // Functions host storage and the app's tables/blobs/queues (StorageOptions), as the user-assigned identity.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
    // The host's own page at / is off: the app answers GET / itself.
    AzureWebJobsDisableHomepage: 'true'
    // Telemetry over Entra ID only (the component refuses instrumentation-key ingestion).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // The Molecule section (contract §0.9); `__` stands for `:`.
    Molecule__AdminToken: adminTokenReference
    Molecule__KeyVaultUri: keyVaultUri
    Molecule__SignalREndpoint: signalREndpoint
    Molecule__SignalRHubName: signalRHubName
    Molecule__PublicBaseUrl: empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl
  }
}

output name string = app.name
output uri string = empty(publicBaseUrl) ? 'https://${app.properties.defaultHostName}' : publicBaseUrl
