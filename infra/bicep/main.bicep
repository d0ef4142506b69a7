// Molecule Serverless: everything `azd up` provisions. One resource group; one user-assigned identity that the app
// uses for every service; no keys, connection strings or secret values anywhere but Key Vault.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds the resource names.')
param environmentName string

@minLength(1)
@description('Azure region for every resource (one that offers Flex Consumption).')
param location string

@description('Object id of whoever deploys (azd passes AZURE_PRINCIPAL_ID): may read the admin token from Key Vault. Empty: no one.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principalId: User for a person running azd, ServicePrincipal for a pipeline.')
param principalType string = 'User'

@secure()
@description('The admin bearer, stored only in Key Vault. azd passes the vault\'s current value (or a new random one); a bare deployment generates one.')
param adminToken string = newGuid()

@description('Flex Consumption runtime version for dotnet-isolated.')
param runtimeVersion string = '10.0'

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Upper bound on Flex Consumption instances (the spend ceiling under load).')
param maximumInstanceCount int = 100

@allowed(['Free_F1', 'Standard_S1'])
@description('SignalR Service tier: Free carries 20 canvas connections and 20,000 messages a day.')
param signalRSku string = 'Free_F1'

@description('Hub that carries canvas events (Molecule:SignalRHubName).')
param signalRHubName string = 'canvas'

@description('Origin for absolute URLs the API returns (a custom domain); empty: the app\'s default host name.')
param publicBaseUrl string = ''

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))
var adminTokenSecretName = 'molecule-admin-token'
var identityName = 'id-${token}'

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: group
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: group
  dependsOn: [identity]
  params: {
    logAnalyticsName: 'log-${token}'
    appInsightsName: 'appi-${token}'
    location: location
    tags: tags
    appIdentityName: identityName
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: group
  dependsOn: [identity]
  params: {
    name: 'st${token}'
    location: location
    tags: tags
    deploymentContainerName: 'deployments'
    appIdentityName: identityName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: group
  dependsOn: [identity]
  params: {
    name: 'kv-${token}'
    location: location
    tags: tags
    appIdentityName: identityName
    readerPrincipalId: principalId
    readerPrincipalType: principalType
    adminTokenSecretName: adminTokenSecretName
    adminToken: adminToken
  }
}

module signalR 'modules/signalr.bicep' = {
  name: 'signalr'
  scope: group
  dependsOn: [identity]
  params: {
    name: 'sigr-${token}'
    location: location
    tags: tags
    sku: signalRSku
    appIdentityName: identityName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: group
  params: {
    planName: 'plan-${token}'
    appName: 'func-${token}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    keyVaultUri: keyVault.outputs.uri
    adminTokenReference: keyVault.outputs.adminTokenReference
    signalREndpoint: signalR.outputs.endpoint
    signalRHubName: signalRHubName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    publicBaseUrl: publicBaseUrl
    runtimeVersion: runtimeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

// azd stores these in the environment (.azure/<env>/.env). None is a secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = group.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output MOLECULE_ADMIN_TOKEN_NAME string = adminTokenSecretName
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output MOLECULE_URL string = functionApp.outputs.uri
