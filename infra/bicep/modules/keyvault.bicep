// Secret values: the agents' secrets (written by the app) and the admin token (written here). RBAC only, soft delete
// with purge protection: a deleted secret stays recoverable, which the app's Key Vault adapter relies on.
param name string
param location string
param tags object
@description('The app identity (a user-assigned identity in this resource group): reads, sets, deletes and recovers secrets.')
param appIdentityName string
@description('Who runs the deployment (azd fills AZURE_PRINCIPAL_ID); may read the admin token. Empty: nobody.')
param readerPrincipalId string
@allowed(['User', 'ServicePrincipal', 'Group'])
param readerPrincipalType string
param adminTokenSecretName string
@secure()
param adminToken string

var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource adminTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: adminTokenSecretName
  properties: {
    value: adminToken
    contentType: 'text/plain'
  }
}

// Get, set, delete and recover (the adapter recovers a soft-deleted name before reusing it). No built-in role narrower
// than Secrets Officer allows writes; the app never purges, and purge protection refuses purge anyway.
resource appRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appIdentity.id, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

// The deployer reads the admin token (az keyvault secret show); read only.
resource readerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(readerPrincipalId)) {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: readerPrincipalId
    principalType: readerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless, so the app setting follows the latest version when the token is rotated.
output adminTokenReference string = '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${adminTokenSecret.name}/)'
