# task: train_mlp
# Drops the last, smaller batch of every epoch (like DataLoader(drop_last=True)).
# hint: train_drop_last
def train_mlp(X_train, y_train, X_test, y_test, batch_size, epochs, lr, seed=0, hidden=32):
    torch.manual_seed(seed)
    x_train = torch.as_tensor(np.asarray(X_train), dtype=torch.float32)
    t_train = torch.as_tensor(np.asarray(y_train), dtype=torch.float32)
    x_test = torch.as_tensor(np.asarray(X_test), dtype=torch.float32)
    model = torch.nn.Sequential(torch.nn.Linear(x_train.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    n = x_train.shape[0]
    updates, train_loss = 0, []
    for _ in range(epochs):
        perm = torch.randperm(n, generator=generator)
        batch_losses = []
        for i in range(n // batch_size):
            index = perm[i * batch_size:(i + 1) * batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[index]).squeeze(1), t_train[index])
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
            updates += 1
        train_loss.append(float(np.mean(batch_losses)))
    with torch.no_grad():
        predicted = (model(x_test).squeeze(1) > 0).numpy()
    return {"test_accuracy": float(np.mean(predicted == (np.asarray(y_test) == 1))), "train_loss": train_loss, "updates": updates}
