/* eslint-disable prefer-const -- C declares its variables first and assigns them later: so does this port. */
import {
  AF_INET,
  EXIT_FAILURE,
  SOCK_STREAM,
  close,
  connect,
  htons,
  inet_pton,
  perror,
  recv,
  sizeof,
  sockaddr_in,
  socket,
  strlen,
} from 'bsdsock';

function main(): number {
  let sock_fd: number;
  const server_addr = new sockaddr_in();
  const buffer = Buffer.alloc(1024);

  // Créer le socket
  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (sock_fd == -1) {
    perror('Échec de la création du socket');
    process.exit(EXIT_FAILURE);
  }

  // Configurer la structure d'adresse du serveur
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(8080); // Port 8080
  inet_pton(AF_INET, '127.0.0.1', server_addr.sin_addr); // Localhost

  // Se connecter au serveur
  if (connect(sock_fd, server_addr, sizeof(server_addr)) < 0) {
    perror('Échec de la connexion');
    process.exit(EXIT_FAILURE);
  }
  process.stdout.write('Connecté au serveur\n');

  // Recevoir le message du serveur
  recv(sock_fd, buffer, sizeof(buffer), 0);
  process.stdout.write(`Message du serveur: ${buffer.toString('utf8', 0, strlen(buffer))}`);

  // Nettoyer
  close(sock_fd);
  return 0;
}

process.exitCode = main();
