// Data-plane roles only, each scoped to the one resource it is for. No control-plane rights, no keys.
param principalIds array
param appPrincipalId string
param storageName string
param cosmosName string
param serviceBusName string
param webPubSubName string
param keyVaultName string
param insightsName string

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // host storage + deployment package
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a' // user-delegation SAS for signed URLs
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Functions host internals
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  webPubSubServiceOwner: '12cf5a90-567b-43ae-8102-96cf46c7d9b4'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
var cosmosDataContributor = '00000000-0000-0000-0000-000000000002'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = { name: storageName }
resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' existing = { name: cosmosName }
resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = { name: serviceBusName }
resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = { name: webPubSubName }
resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' existing = { name: keyVaultName }
resource insights 'Microsoft.Insights/components@2020-02-02' existing = { name: insightsName }

resource storageRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for assignment in flatten(map(principalIds, p => [
  { principal: p, role: roles.storageBlobDataOwner }
  { principal: p, role: roles.storageBlobDelegator }
  { principal: p, role: roles.storageQueueDataContributor }
])): {
  scope: storage
  name: guid(storage.id, assignment.principal, assignment.role)
  properties: {
    principalId: assignment.principal
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.role)
  }
}]

resource busRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for assignment in flatten(map(principalIds, p => [
  { principal: p, role: roles.serviceBusDataSender }
  { principal: p, role: roles.serviceBusDataReceiver }
])): {
  scope: serviceBus
  name: guid(serviceBus.id, assignment.principal, assignment.role)
  properties: {
    principalId: assignment.principal
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignment.role)
  }
}]

resource pubSubRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for p in principalIds: {
  scope: webPubSub
  name: guid(webPubSub.id, p, roles.webPubSubServiceOwner)
  properties: {
    principalId: p
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.webPubSubServiceOwner)
  }
}]

resource secretsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: keyVault
  name: guid(keyVault.id, appPrincipalId, roles.keyVaultSecretsUser)
  properties: {
    principalId: appPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource telemetryRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: insights
  name: guid(insights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  properties: {
    principalId: appPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource cosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = [for p in principalIds: {
  parent: cosmos
  name: guid(cosmos.id, p, cosmosDataContributor)
  properties: {
    principalId: p
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${cosmosDataContributor}'
    scope: cosmos.id
  }
}]
