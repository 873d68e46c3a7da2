// Web PubSub with local auth off: the app calls it with its identity, and the service calls the app's event
// handler presenting a token for the app's identity (ManagedIdentity upstream auth).
param location string
param name string
param hub string
param eventHandlerUrl string
param identityId string
param identityClientId string

resource service 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
  location: location
  sku: { name: 'Standard_S1', capacity: 1 }
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identityId}': {} } }
  properties: {
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    tls: { clientCertEnabled: false }
  }
}

resource hubResource 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: service
  name: hub
  properties: {
    anonymousConnectPolicy: 'deny'
    eventHandlers: [
      {
        urlTemplate: eventHandlerUrl
        userEventPattern: '*'
        systemEvents: ['connect', 'connected', 'disconnected']
        auth: { type: 'ManagedIdentity', managedIdentity: { resource: identityClientId } }
      }
    ]
  }
}

output name string = service.name
output endpoint string = 'https://${service.properties.hostName}'
