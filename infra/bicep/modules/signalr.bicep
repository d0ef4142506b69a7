// Canvas events: serverless mode (the app publishes through the REST API), Entra ID only (no access keys).
param name string
param location string
param tags object
@allowed(['Free_F1', 'Standard_S1'])
param sku string
@description('The app identity (a user-assigned identity in this resource group): sends to the hub and generates client tokens.')
param appIdentityName string

var signalRRestApiOwner = 'fd53cd77-2268-407a-8f46-7e7863d0f521'

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: appIdentityName
}

resource signalR 'Microsoft.SignalRService/signalR@2024-03-01' = {
  name: name
  location: location
  tags: tags
  kind: 'SignalR'
  sku: {
    name: sku
    capacity: 1
  }
  properties: {
    features: [
      {
        flag: 'ServiceMode'
        value: 'Serverless'
      }
      {
        flag: 'EnableConnectivityLogs'
        value: 'False'
      }
    ]
    disableLocalAuth: true
    disableAadAuth: false
    publicNetworkAccess: 'Enabled'
    tls: {
      clientCertEnabled: false
    }
  }
}

// POST /api/hubs/{hub}/:send and /:generateToken. SignalR REST API Owner is the REST-only role that has both
// (hub send + auth/clientToken); SignalR Service Owner would add server connections the app never opens.
resource appRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(signalR.id, appIdentity.id, signalRRestApiOwner)
  scope: signalR
  properties: {
    principalId: appIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', signalRRestApiOwner)
  }
}

output endpoint string = 'https://${signalR.properties.hostName}'
