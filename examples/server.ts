/* eslint-disable prefer-const -- C declares its variables first and assigns them later: so does this port. */
import {
  AF_INET,
  EXIT_FAILURE,
  INADDR_ANY,
  SOCK_STREAM,
  accept,
  bind,
  close,
  htons,
  listen,
  perror,
  send,
  sizeof,
  sockaddr_in,
  socket,
  socklen_t,
  strlen,
} from 'bsdsock';

function main(): number {
  let server_fd: number, client_fd: number;
  const server_addr = new sockaddr_in(),
    client_addr = new sockaddr_in();
  const client_len = new socklen_t(sizeof(client_addr));
  const message = 'Hello from server!\n';

  // Créer le socket
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (server_fd == -1) {
    perror('Échec de la création du socket');
    process.exit(EXIT_FAILURE);
  }

  // Configurer la structure d'adresse du serveur
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = INADDR_ANY; // Lier à n'importe quelle adresse
  server_addr.sin_port = htons(8080); // Port 8080

  // Lier le socket
  if (bind(server_fd, server_addr, sizeof(server_addr)) < 0) {
    perror('Échec de la liaison');
    process.exit(EXIT_FAILURE);
  }

  // Écouter les connexions
  if (listen(server_fd, 3) < 0) {
    // Autoriser jusqu'à 3 connexions en file d'attente
    perror("Échec de l'écoute");
    process.exit(EXIT_FAILURE);
  }
  process.stdout.write('Serveur en écoute sur le port 8080...\n');

  // Accepter la connexion entrante
  client_fd = accept(server_fd, client_addr, client_len);
  if (client_fd < 0) {
    perror("Échec de l'acceptation");
    process.exit(EXIT_FAILURE);
  }
  process.stdout.write('Connexion acceptée\n');

  // Envoyer un message au client
  send(client_fd, message, strlen(message), 0);

  // Nettoyer
  close(client_fd);
  close(server_fd);
  return 0;
}

process.exitCode = main();
