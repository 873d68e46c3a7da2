// TopicsFlow Functions: everything the app needs, reached with one user-assigned managed identity and no keys.
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
targetScope = 'resourceGroup'

@description('Short name used to derive resource names (lowercase letters and digits).')
@minLength(3)
@maxLength(12)
param appName string

param location string = resourceGroup().location

@description('Browser origins allowed to call the API with credentials (the web frontend).')
param corsOrigins array

@description('Public URL of the API (https://<app>.azurewebsites.net or a custom domain).')
param publicBaseUrl string = ''

@description('Sender address for mail; the SendGrid API key is a Key Vault secret named sendgrid-api-key.')
param mailFrom string

@description('Object id of the deploying user or group, given data access for local development against Azure.')
param developerPrincipalId string = ''

@description('Proxies we run in front of the platform edge (e.g. 1 with Front Door). Never count the client.')
param trustedProxies int = 0

@description('STUN URLs for calls, e.g. [\'stun:turn.example.org:3478\'] (empty: host candidates only).')
param voipStunUrls array = []

@description('TURN URLs of our coturn (or a managed TURN) that shares the Key Vault secret turn-static-auth-secret.')
param voipTurnUrls array = []

var suffix = uniqueString(resourceGroup().id, appName)
var names = {
  identity: 'id-${appName}-${suffix}'
  storage: toLower('st${appName}${take(suffix, 8)}')
  cosmos: 'cosmos-${appName}-${suffix}'
  serviceBus: 'sb-${appName}-${suffix}'
  webPubSub: 'wps-${appName}-${suffix}'
  redis: 'redis-${appName}-${suffix}'
  keyVault: 'kv${appName}${take(suffix, 10)}'
  logs: 'log-${appName}-${suffix}'
  insights: 'appi-${appName}-${suffix}'
  plan: 'plan-${appName}-${suffix}'
  site: 'func-${appName}-${suffix}'
}
var apiBaseUrl = empty(publicBaseUrl) ? 'https://${names.site}.azurewebsites.net' : publicBaseUrl
var webPubSubHub = 'topicsflow'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: location
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  params: { location: location, logsName: names.logs, insightsName: names.insights }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  params: { location: location, name: names.storage, corsOrigins: corsOrigins }
}

module cosmos 'app/cosmos.bicep' = {
  name: 'cosmos'
  params: { location: location, name: names.cosmos }
}

module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  params: { location: location, name: names.serviceBus }
}

module webPubSub 'app/webpubsub.bicep' = {
  name: 'webpubsub'
  params: {
    location: location
    name: names.webPubSub
    hub: webPubSubHub
    eventHandlerUrl: '${apiBaseUrl}/api/realtime/events'
    identityId: identity.id
    identityClientId: identity.properties.clientId
  }
}

module redis 'app/redis.bicep' = {
  name: 'redis'
  params: { location: location, name: names.redis, principalIds: [identity.properties.principalId] }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'keyvault'
  params: { location: location, name: names.keyVault }
}

module functionApp 'app/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    planName: names.plan
    siteName: names.site
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageName: storage.outputs.name
    insightsConnectionString: monitoring.outputs.connectionString
    corsOrigins: corsOrigins
    appSettings: {
      APP_ENV: 'production'
      APP_STACK: 'azure'
      PUBLIC_BASE_URL: apiBaseUrl
      CORS_ORIGINS: string(corsOrigins)
      TRUSTED_PROXIES: string(trustedProxies)
      SECRET_KEY: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=app-secret-key)'
      AZURE_CLIENT_ID: identity.properties.clientId
      AZURE_TENANT_ID: subscription().tenantId
      COSMOS_ENDPOINT: cosmos.outputs.endpoint
      COSMOS_DATABASE: cosmos.outputs.databaseName
      STORAGE_ACCOUNT_URL: storage.outputs.blobEndpoint
      QUEUE_BACKEND: 'servicebus'
      SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
      ServiceBusConnection__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identity.properties.clientId
      QUEUE_MAX_DELIVERY_COUNT: string(serviceBus.outputs.maxDeliveryCount)
      QUEUE_DUPLICATE_WINDOW_SECONDS: '600'
      WEBPUBSUB_ENDPOINT: webPubSub.outputs.endpoint
      WEBPUBSUB_HUB: webPubSubHub
      WEBPUBSUB_CONNECTION_STRING: ''
      REDIS_URL: 'rediss://${redis.outputs.hostName}:6380/0'
      REDIS_AUTH: 'entra'
      MAIL_BACKEND: 'sendgrid'
      MAIL_FROM: mailFrom
      SENDGRID_API_KEY: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=sendgrid-api-key)'
      VOIP_STUN_URLS: string(voipStunUrls)
      VOIP_TURN_URLS: string(voipTurnUrls)
      // coturn's static-auth-secret: the app signs short-lived TURN credentials with it, never hands it out
      VOIP_TURN_SECRET: '@Microsoft.KeyVault(VaultName=${names.keyVault};SecretName=turn-static-auth-secret)'
    }
  }
}

// Least privilege: data-plane roles on each resource for the app's identity (and optionally the developer).
module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  params: {
    principalIds: concat([identity.properties.principalId], empty(developerPrincipalId) ? [] : [developerPrincipalId])
    appPrincipalId: identity.properties.principalId
    storageName: storage.outputs.name
    cosmosName: cosmos.outputs.name
    serviceBusName: serviceBus.outputs.name
    webPubSubName: webPubSub.outputs.name
    keyVaultName: keyVault.outputs.name
    insightsName: names.insights
  }
  dependsOn: [monitoring]
}

output apiBaseUrl string = apiBaseUrl
output functionAppName string = functionApp.outputs.name
output webPubSubEndpoint string = webPubSub.outputs.endpoint
